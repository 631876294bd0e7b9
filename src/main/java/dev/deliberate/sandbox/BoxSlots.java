package dev.deliberate.sandbox;

import java.util.ArrayDeque;
import java.util.Deque;
import org.jspecify.annotations.Nullable;

/**
 * The box slots: at most {@code maxConcurrent} boxes at once, each slot with its own uid, and a bounded queue of jobs
 * waiting for one. A slot is given back only when its process has ended, never when its caller cancelled, so the
 * concurrency cap counts live processes.
 */
final class BoxSlots {

    enum Admission {
        STARTED,
        QUEUED,
        BUSY
    }

    private final Deque<Integer> free = new ArrayDeque<>();
    private final Deque<BoxProcess> waiting = new ArrayDeque<>();
    private final int maxQueued;

    BoxSlots(int maxConcurrent, int maxQueued) {
        for (int slot = 0; slot < maxConcurrent; slot++) {
            free.addLast(slot);
        }
        this.maxQueued = maxQueued;
    }

    /** Gives {@code job} a free slot ({@link BoxProcess#slot()}), queues it, or refuses it. */
    synchronized Admission admit(BoxProcess job) {
        Integer slot = free.pollFirst();
        if (slot != null) {
            job.assign(slot);
            return Admission.STARTED;
        }
        if (waiting.size() >= maxQueued) {
            return Admission.BUSY;
        }
        waiting.addLast(job);
        return Admission.QUEUED;
    }

    /** A cancelled job leaves the queue; one already handed a slot runs its (short) cancelled course instead. */
    synchronized void withdraw(BoxProcess job) {
        waiting.remove(job);
    }

    /** Frees {@code slot}, or hands it to the next waiting job, which the caller then launches. */
    synchronized @Nullable BoxProcess release(int slot) {
        BoxProcess next = waiting.pollFirst();
        if (next == null) {
            free.addFirst(slot);
            return null;
        }
        next.assign(slot);
        return next;
    }

    synchronized int running(int maxConcurrent) {
        return maxConcurrent - free.size();
    }

    synchronized int queued() {
        return waiting.size();
    }
}
