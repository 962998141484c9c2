package io.mydocker;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.util.List;

/** Sizes, times and tables as docker prints them for people: "2.31MB", "3 minutes". */
final class HumanFormat {
    private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB"};

    private HumanFormat() {
    }

    /** A size in bytes, in decimal units with three significant digits, as docker images shows it. */
    static String size(long bytes) {
        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < UNITS.length - 1) {
            value /= 1000;
            unit++;
        }
        return new BigDecimal(value).round(new MathContext(3)).stripTrailingZeros().toPlainString() + UNITS[unit];
    }

    /** A duration, rounded as docker rounds it in "2 minutes ago" and "Up 5 seconds". */
    static String duration(Duration duration) {
        long seconds = duration.toSeconds();
        long minutes = duration.toMinutes();
        long hours = Math.round(duration.toMillis() / 3_600_000.0);
        if (seconds < 1) {
            return "Less than a second";
        } else if (seconds == 1) {
            return "1 second";
        } else if (seconds < 60) {
            return seconds + " seconds";
        } else if (minutes == 1) {
            return "About a minute";
        } else if (minutes < 60) {
            return minutes + " minutes";
        } else if (hours == 1) {
            return "About an hour";
        } else if (hours < 48) {
            return hours + " hours";
        } else if (hours < 24 * 7 * 2) {
            return hours / 24 + " days";
        } else if (hours < 24 * 30 * 2) {
            return hours / 24 / 7 + " weeks";
        } else if (hours < 24 * 365 * 2) {
            return hours / 24 / 30 + " months";
        }
        return hours / 24 / 365 + " years";
    }

    /** Rows in columns, each as wide as its widest cell and three spaces apart. */
    static String table(List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int column = 0; column < row.size(); column++) {
                widths[column] = Math.max(widths[column], row.get(column).length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (List<String> row : rows) {
            for (int column = 0; column < row.size() - 1; column++) {
                table.append(String.format("%-" + (widths[column] + 3) + "s", row.get(column)));
            }
            table.append(row.get(row.size() - 1)).append('\n');
        }
        return table.toString();
    }
}
