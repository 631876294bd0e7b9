package dev.deliberate.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.deliberate.sandbox.BubblewrapCodeRunner;
import dev.deliberate.sandbox.SandboxSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class SandboxHealthIndicatorTests {

    @Test
    void showsAVerifiedSandbox() {
        try (BubblewrapCodeRunner runner = new BubblewrapCodeRunner(SandboxSettings.defaults())) {
            runner.verify().block(Duration.ofSeconds(20));

            Health health = new SandboxHealthIndicator(runner).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails())
                    .containsEntry("available", true)
                    .containsEntry("running", 0)
                    .containsEntry("queued", 0)
                    .containsEntry("max_concurrent", 2);
            assertThat((String) health.getDetails().get("detail")).startsWith("verified: uid 65534");
        }
    }

    @Test
    void staysUpWhenTheSandboxIsUnavailable() {
        SandboxSettings missing =
                SandboxSettings.defaults().withBinaries(Path.of("/nowhere/bwrap"), Path.of("/usr/bin/python3"));
        try (BubblewrapCodeRunner runner = new BubblewrapCodeRunner(missing)) {
            runner.verify().block(Duration.ofSeconds(20));

            Health health = new SandboxHealthIndicator(runner).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails())
                    .containsEntry("available", false)
                    .containsEntry(
                            "detail",
                            "bubblewrap not found at /nowhere/bwrap: install bubblewrap (apt-get install bubblewrap)");
        }
    }
}
