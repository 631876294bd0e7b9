package dev.deliberate.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Prints every thread's stack when a test fails on a blocking read that timed out (a request that got no response),
 * then lets the failure stand. Registered for every test through JUnit's extension auto-detection, so that the rare
 * hang of docs/architecture.md "Known issues" leaves evidence in the build log the next time it happens.
 */
public final class ThreadDumpOnHang implements TestExecutionExceptionHandler {

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable error) throws Throwable {
        if (isHang(error)) {
            StringBuilder dump =
                    new StringBuilder("\n=== thread dump: " + context.getDisplayName() + " timed out ===\n");
            for (ThreadInfo thread : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
                dump.append(thread);
                StackTraceElement[] stack = thread.getStackTrace();
                // ThreadInfo.toString() shows only the top 8 frames.
                for (int i = 8; i < stack.length; i++) {
                    dump.append("\tat ").append(stack[i]).append('\n');
                }
            }
            System.err.println(dump);
        }
        throw error;
    }

    private static boolean isHang(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            String message = cause.getMessage();
            if (message != null && message.contains("Timeout on blocking read")) {
                return true;
            }
        }
        return false;
    }
}
