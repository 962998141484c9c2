package io.mydocker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * The fault matrix's one line, printed when the last case has run, and written to
 * target/fault-matrix.txt: cases run, faults survived (cases that passed), residue found and host
 * bytes lost (both must be 0). JUnit finds this listener through
 * META-INF/services/org.junit.platform.launcher.TestExecutionListener.
 */
public final class FaultMatrixSummary implements TestExecutionListener {
    private static int cases;
    private static int residue;
    private static long lost;
    private static int survived;

    /** FaultCase's account of one case, after it. */
    static synchronized void record(String name, int residueFound, long bytesLost) {
        cases++;
        residue += residueFound;
        lost += bytesLost;
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
            synchronized (FaultMatrixSummary.class) {
                survived++;
            }
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        String line;
        synchronized (FaultMatrixSummary.class) {
            if (cases == 0) {
                return; // none ran: not root, or another test class was chosen
            }
            line = "fault matrix: " + cases + " cases run, " + Math.min(survived, cases) + " faults survived, "
                    + residue + " residue found, " + lost + " host bytes lost";
        }
        System.out.println(line);
        try {
            // The working directory is step10's (see the pom): the line goes to this module's target.
            Files.writeString(Path.of("../fault-matrix/target/fault-matrix.txt"), line + "\n");
        } catch (IOException e) {
            System.err.println("cannot write target/fault-matrix.txt: " + e.getMessage());
        }
    }
}
