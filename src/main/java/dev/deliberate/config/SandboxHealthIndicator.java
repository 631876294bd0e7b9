package dev.deliberate.config;

import dev.deliberate.sandbox.BubblewrapCodeRunner;
import dev.deliberate.sandbox.SandboxStatus;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Shows whether the sandbox verified its isolation, and how busy it is, under {@code /actuator/health}. Like the
 * endpoints indicator it stays UP when the sandbox is unavailable: every strategy but FunCoder still works, and a
 * restart would not install bubblewrap. It only reads state, so it answers at once even when every box is busy.
 */
@Component("sandbox")
class SandboxHealthIndicator implements HealthIndicator {

    private final BubblewrapCodeRunner runner;

    SandboxHealthIndicator(BubblewrapCodeRunner runner) {
        this.runner = runner;
    }

    @Override
    public Health health() {
        SandboxStatus status = runner.status();
        return Health.up()
                .withDetail("available", status.available())
                .withDetail("detail", status.detail())
                .withDetail("running", runner.running())
                .withDetail("queued", runner.queued())
                .withDetail("max_concurrent", runner.settings().maxConcurrent())
                .build();
    }
}
