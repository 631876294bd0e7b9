package dev.deliberate.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of this process and of the whole machine at one instant, so that a phase can report its own CPU cost per
 * request and how much of the CPUs other processes took meanwhile (a shared machine skews every latency).
 *
 * @param processNanos CPU time of this JVM, all threads
 * @param machineBusyNanos busy CPU time of the machine, all CPUs, from {@code /proc/stat}; -1 where unreadable
 * @param machineTotalNanos busy plus idle CPU time of the machine; -1 where unreadable
 */
record CpuReading(long processNanos, long machineBusyNanos, long machineTotalNanos) {

    /** USER_HZ: /proc/stat counts in hundredths of a second on every Linux architecture we run on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    private static final Path PROC_STAT = Path.of("/proc/stat");

    static CpuReading now() {
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        try {
            String line = Files.readAllLines(PROC_STAT).get(0);
            String[] fields = line.trim().split("\\s+");
            long total = 0;
            long idle = 0;
            // cpu user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user/nice]
            for (int i = 1; i < Math.min(fields.length, 9); i++) {
                long ticks = Long.parseLong(fields[i]);
                total += ticks;
                if (i == 4 || i == 5) {
                    idle += ticks;
                }
            }
            return new CpuReading(process, (total - idle) * NANOS_PER_TICK, total * NANOS_PER_TICK);
        } catch (IOException | RuntimeException e) {
            return new CpuReading(process, -1, -1);
        }
    }

    /** CPU time this process used since {@code earlier}, in ms. */
    double processMillisSince(CpuReading earlier) {
        return (processNanos - earlier.processNanos) / 1e6;
    }

    /** The share of all CPUs that other processes kept busy since {@code earlier}; NaN where unknown. */
    double othersShareSince(CpuReading earlier) {
        if (machineTotalNanos < 0 || earlier.machineTotalNanos < 0) {
            return Double.NaN;
        }
        long total = machineTotalNanos - earlier.machineTotalNanos;
        long others = (machineBusyNanos - earlier.machineBusyNanos) - (processNanos - earlier.processNanos);
        return total <= 0 ? Double.NaN : Math.max(0, (double) others / total);
    }
}
