package dev.deliberate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/**
 * BlockHound is installed for the whole test run (blockhound-junit-platform), so every test that drives the service
 * (the api integration tests above all) fails on a blocking call from a non-blocking thread. This class proves the
 * guard is armed.
 */
class BlockingCallsTests {

    @Test
    void blockingOnANonBlockingThreadFails() {
        Mono<Void> sleeping = Mono.<Void>fromRunnable(() -> {
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                })
                .subscribeOn(Schedulers.parallel());

        StepVerifier.create(sleeping)
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(BlockingOperationError.class))
                .verify(Duration.ofSeconds(5));
    }

    @Test
    void blockingOnTheBoundedElasticSchedulerIsAllowed() {
        Mono<String> sleeping = Mono.fromCallable(() -> {
                    Thread.sleep(5);
                    return "slept";
                })
                .subscribeOn(Schedulers.boundedElastic());

        StepVerifier.create(sleeping).expectNext("slept").verifyComplete();
    }
}
