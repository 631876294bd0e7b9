package dev.deliberate.model.resilience;

import dev.deliberate.model.BackendException;
import io.github.resilience4j.bulkhead.Bulkhead;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

/**
 * A bulkhead with a bounded FIFO queue for reactive callers. Resilience4j's semaphore {@link Bulkhead} counts the
 * permits (and so feeds its Micrometer gauges), but it can only wait by blocking a thread; here a call that finds no
 * permit parks as a {@link MonoSink} instead, and the call that releases a permit hands it to the oldest waiter.
 *
 * <p>Every acquisition happens under this object's lock, so a permit seen free is taken; subscribing to the guarded
 * source always happens outside the lock. A call gives its permit back exactly once: when it terminates (before the
 * signal travels on, so that a retry can take the permit again) or when it is cancelled, whichever comes first.
 */
final class QueueingBulkhead {

    private enum State {
        NEW,
        WAITING,
        RUNNING,
        DONE
    }

    /** One call's claim on a permit. Its state changes only under the bulkhead's lock. */
    private static final class Ticket {
        private State state = State.NEW;
        private @Nullable MonoSink<Void> waiter;
    }

    private final String endpoint;
    private final Bulkhead permits;
    private final int maxConcurrency;
    private final int maxQueue;
    private final LinkedHashSet<Ticket> waiting = new LinkedHashSet<>();
    // Hands permits on in a loop rather than by recursion: a granted call may finish at once and release again.
    private final AtomicInteger drainRequests = new AtomicInteger();

    QueueingBulkhead(String endpoint, Bulkhead permits, int maxQueue) {
        this.endpoint = endpoint;
        this.permits = permits;
        this.maxConcurrency = permits.getBulkheadConfig().getMaxConcurrentCalls();
        this.maxQueue = maxQueue;
    }

    <T> Mono<T> guard(Mono<T> source) {
        return Mono.defer(() -> {
            Ticket ticket = new Ticket();
            return acquire(ticket)
                    .then(source)
                    .doOnTerminate(() -> release(ticket))
                    .doOnCancel(() -> release(ticket));
        });
    }

    <T> Flux<T> guard(Flux<T> source) {
        return Flux.defer(() -> {
            Ticket ticket = new Ticket();
            return acquire(ticket)
                    .thenMany(source)
                    .doOnTerminate(() -> release(ticket))
                    .doOnCancel(() -> release(ticket));
        });
    }

    int inFlight() {
        return maxConcurrency - permits.getMetrics().getAvailableConcurrentCalls();
    }

    synchronized int queued() {
        return waiting.size();
    }

    private Mono<Void> acquire(Ticket ticket) {
        return Mono.create(sink -> {
            boolean granted = false;
            String busy = null;
            synchronized (this) {
                if (ticket.state != State.NEW) {
                    return; // cancelled before it subscribed
                }
                if (waiting.isEmpty() && takePermit()) {
                    ticket.state = State.RUNNING;
                    granted = true;
                } else if (waiting.size() < maxQueue) {
                    ticket.state = State.WAITING;
                    ticket.waiter = sink;
                    waiting.add(ticket);
                } else {
                    ticket.state = State.DONE;
                    busy = "busy: " + inFlight() + " in flight, " + waiting.size() + " queued";
                }
            }
            if (granted) {
                sink.success();
            } else if (busy != null) {
                sink.error(new BackendException.Unavailable(endpoint, busy, false, null));
            }
        });
    }

    private void release(Ticket ticket) {
        boolean freed;
        synchronized (this) {
            freed = ticket.state == State.RUNNING;
            if (ticket.state == State.WAITING) {
                waiting.remove(ticket);
            }
            ticket.state = State.DONE;
            ticket.waiter = null;
        }
        if (freed) {
            permits.onComplete();
            drain();
        }
    }

    private void drain() {
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            MonoSink<Void> next;
            while ((next = grantOldest()) != null) {
                // If the waiter was cancelled meanwhile, its release already returned this permit.
                next.success();
            }
            missed = drainRequests.addAndGet(-missed);
        } while (missed != 0);
    }

    private synchronized @Nullable MonoSink<Void> grantOldest() {
        Iterator<Ticket> oldest = waiting.iterator();
        if (!oldest.hasNext() || !takePermit()) {
            return null;
        }
        Ticket ticket = oldest.next();
        oldest.remove();
        ticket.state = State.RUNNING;
        MonoSink<Void> waiter = ticket.waiter;
        ticket.waiter = null;
        return waiter;
    }

    // Checking first keeps Resilience4j from publishing a "rejected" event for a call that will merely queue.
    private boolean takePermit() {
        return permits.getMetrics().getAvailableConcurrentCalls() > 0 && permits.tryAcquirePermission();
    }
}
