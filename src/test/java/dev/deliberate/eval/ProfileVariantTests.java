package dev.deliberate.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.deliberate.profile.ProfileSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;

class ProfileVariantTests {

    private static ProfileSource selfConsistency() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("deliberate.profiles.self-consistency.strategy", "self-consistency");
        properties.put("deliberate.profiles.self-consistency.params.n", 5);
        properties.put("deliberate.profiles.self-consistency.budget.max-model-calls", 5);
        return new ProfileSource(
                "self-consistency", "strategies/self-consistency.yaml", new MapPropertySource("file", properties));
    }

    @Test
    void readsProfilesWithAndWithoutSettings() {
        List<ProfileVariant> variants = ProfileVariant.parseList("direct, self-consistency@n=8@temperature=0.5");

        assertThat(variants)
                .containsExactly(
                        new ProfileVariant("direct", "direct", Map.of()),
                        new ProfileVariant(
                                "self-consistency@n=8@temperature=0.5",
                                "self-consistency",
                                Map.of("n", "8", "temperature", "0.5")));
        assertThat(variants.get(0).registryName()).isEqualTo("direct");
        assertThat(variants.get(1).registryName()).isEqualTo("self-consistency-at-n-8-at-temperature-0-5");
    }

    @Test
    void aSettingWithoutValueIsRefused() {
        assertThatThrownBy(() -> ProfileVariant.parse("rpc@n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--profiles: 'rpc@n': 'n' is not key=value (e.g. self-consistency@n=8)");
    }

    @Test
    void aVariantSourceCopiesTheProfileAndRaisesTheCallBudgetToN() {
        ProfileVariant variant = ProfileVariant.parse("self-consistency@n=8");

        ProfileSource source = variant.source(selfConsistency());

        assertThat(source.name()).isEqualTo("self-consistency-at-n-8");
        assertThat(source.location()).isEqualTo("strategies/self-consistency.yaml with n=8");
        String prefix = "deliberate.profiles.self-consistency-at-n-8.";
        assertThat(source.properties().getProperty(prefix + "strategy")).isEqualTo("self-consistency");
        assertThat(source.properties().getProperty(prefix + "params.n")).isEqualTo("8");
        assertThat(source.properties().getProperty(prefix + "budget.max-model-calls"))
                .isEqualTo("8");
        assertThat(source.properties().getProperty("deliberate.profiles.self-consistency.params.n"))
                .isNull();
    }

    @Test
    void aSmallerNOrAnExplicitBudgetKeepsTheWrittenBudget() {
        String prefix = "deliberate.profiles.self-consistency-at-n-3.";

        ProfileSource smaller = ProfileVariant.parse("self-consistency@n=3").source(selfConsistency());
        ProfileSource explicit = ProfileVariant.parse("self-consistency@n=9@budget.max-model-calls=4")
                .source(selfConsistency());

        assertThat(smaller.properties().getProperty(prefix + "budget.max-model-calls"))
                .isEqualTo(5);
        assertThat(explicit.properties()
                        .getProperty("deliberate.profiles.self-consistency-at-n-9-at-budget-max-model-calls-4."
                                + "budget.max-model-calls"))
                .isEqualTo("4");
    }
}
