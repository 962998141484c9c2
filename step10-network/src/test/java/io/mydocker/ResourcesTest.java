package io.mydocker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourcesTest {
    @Test
    void memorySizesUseDockersUnits() {
        assertEquals(100L << 20, Resources.parseMemory("100m"));
        assertEquals(100L << 20, Resources.parseMemory("100M"));
        assertEquals(1L << 30, Resources.parseMemory("1g"));
        assertEquals(512L << 10, Resources.parseMemory("512k"));
        assertEquals(4096, Resources.parseMemory("4096b"));
        assertEquals(4096, Resources.parseMemory("4096"));
    }

    @Test
    void badMemorySizesAreRefused() {
        for (String bad : new String[] {"100x", "-5m", "0", "0m", "", "m", "1.5g", "99999999999999g"}) {
            MydockerException e = assertThrows(MydockerException.class, () -> Resources.parseMemory(bad), bad);
            assertEquals(125, e.exitCode);
        }
    }

    @Test
    void cpusBecomeAQuotaPer100ms() {
        assertEquals(50_000, Resources.parseCpus("0.5", 2));
        assertEquals(200_000, Resources.parseCpus("2", 2));
        assertEquals(1_000, Resources.parseCpus("0.001", 2), "the kernel's minimum quota is 1 ms");
    }

    @Test
    void cpusMustBePositiveAndAtMostTheMachinesCpus() {
        for (String bad : new String[] {"0", "-1", "3", "NaN", "half"}) {
            assertThrows(MydockerException.class, () -> Resources.parseCpus(bad, 2), bad);
        }
    }

    @Test
    void cpuListsUseTheKernelsFormat() {
        assertEquals(Set.of(0, 1, 3), Resources.parseCpuList("0-1,3\n"));
        assertEquals(Set.of(5), Resources.parseCpuList("5"));
        assertThrows(IllegalArgumentException.class, () -> Resources.parseCpuList("1-0"));
        assertThrows(IllegalArgumentException.class, () -> Resources.parseCpuList("a"));
    }

    @Test
    void cpusetMustNameOnlineCpus() {
        assertEquals("0-1", Resources.checkCpuset("0-1", Set.of(0, 1)));
        assertThrows(MydockerException.class, () -> Resources.checkCpuset("2", Set.of(0, 1)));
        assertThrows(MydockerException.class, () -> Resources.checkCpuset("x", Set.of(0, 1)));
    }

    @Test
    void cpuSharesHaveTheKernelsRange() {
        assertEquals(512, Resources.checkShares(512));
        assertThrows(MydockerException.class, () -> Resources.checkShares(1));
        assertThrows(MydockerException.class, () -> Resources.checkShares(262145));
    }
}
