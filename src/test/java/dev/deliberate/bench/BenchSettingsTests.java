package dev.deliberate.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BenchSettingsTests {

    @Test
    void defaultsAreFiftyMillisecondsAtOneAndTwoHundred() {
        BenchSettings settings = BenchSettings.from(new Properties());

        assertThat(settings.latency()).isEqualTo(Duration.ofMillis(50));
        assertThat(settings.concurrencies()).containsExactly(1, 200);
        assertThat(settings.requestsAt(0)).isEqualTo(200);
        assertThat(settings.requestsAt(1)).isEqualTo(4000);
        assertThat(settings.profiles()).containsExactly("direct", "self-consistency");
        assertThat(settings.maxConcurrency()).isEqualTo(200);
        assertThat(settings.output()).isEqualTo(Path.of("target/bench/overhead.md"));
    }

    @Test
    void oneRequestCountAppliesToEveryConcurrency() {
        Properties properties = new Properties();
        properties.setProperty("bench.concurrency", " 1, 50 ,200");
        properties.setProperty("bench.requests", "300");
        properties.setProperty("bench.latencyMs", "20");

        BenchSettings settings = BenchSettings.from(properties);

        assertThat(settings.concurrencies()).containsExactly(1, 50, 200);
        assertThat(List.of(settings.requestsAt(0), settings.requestsAt(1), settings.requestsAt(2)))
                .containsExactly(300, 300, 300);
        assertThat(settings.latency()).isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void rejectsRequestCountsThatDoNotMatchTheConcurrencies() {
        Properties properties = new Properties();
        properties.setProperty("bench.concurrency", "1,50,200");
        properties.setProperty("bench.requests", "100,200");

        assertThatThrownBy(() -> BenchSettings.from(properties))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bench.requests");
    }

    @Test
    void rejectsUnboundedLoads() {
        Properties properties = new Properties();
        properties.setProperty("bench.requests", "1000000");

        assertThatThrownBy(() -> BenchSettings.from(properties))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 100000");
    }
}
