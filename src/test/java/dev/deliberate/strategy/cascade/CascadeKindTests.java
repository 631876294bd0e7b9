package dev.deliberate.strategy.cascade;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CascadeKindTests {

    private final CascadeKind kind = new CascadeKind(new SimpleMeterRegistry());

    @Test
    void namesBothSubProfilesByTheirParameterAndCallsNoModelItself() {
        var params = new CascadeParameters("adaptive", "server", null, null, null, null);

        assertThat(kind.subProfiles(params))
                .containsExactlyInAnyOrderEntriesOf(Map.of("params.local", "adaptive", "params.server", "server"));
        assertThat(kind.roles(params)).isEmpty();
        assertThat(kind.validate(params)).isEmpty();
    }

    @Test
    void defaultsKeepContextOverflowsLocalAndEscalateUnknownConfidence() {
        var params = new CascadeParameters("adaptive", "server", null, null, null, null);

        assertThat(params.threshold()).isEqualTo(0.5);
        assertThat(params.escalateOnContextOverflow()).isFalse();
        assertThat(params.escalateOnUnknownConfidence()).isTrue();
        assertThat(params.answerKind()).isNull();
    }

    @Test
    void refusesMissingSubProfilesAndASubProfileThatEscalatesToItself() {
        assertThat(kind.validate(new CascadeParameters(null, " ", null, null, null, null)))
                .containsExactly(
                        "local: required, the name of the profile that answers first",
                        "server: required, the name of the profile to escalate to");
        assertThat(kind.validate(new CascadeParameters("direct", "direct", null, null, null, null)))
                .containsExactly("server: must differ from local ('direct')");
    }
}
