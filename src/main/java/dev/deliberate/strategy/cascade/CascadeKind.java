package dev.deliberate.strategy.cascade;

import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * {@code strategy: cascade}: a local sub-profile first, a server sub-profile when the local answer is probably wrong
 * or the local endpoint failed. It calls no model itself, so it has no roles; startup checks its two sub-profiles.
 */
public final class CascadeKind implements StrategyKind<CascadeParameters> {

    private final MeterRegistry meters;

    /** @param meters where the escalation counters go (see {@link CascadeStrategy}) */
    public CascadeKind(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public String name() {
        return "cascade";
    }

    @Override
    public Class<CascadeParameters> parametersType() {
        return CascadeParameters.class;
    }

    @Override
    public Set<String> roles(CascadeParameters params) {
        return Set.of();
    }

    @Override
    public Map<String, String> subProfiles(CascadeParameters params) {
        return Map.of("params.local", params.local(), "params.server", params.server());
    }

    @Override
    public List<String> validate(CascadeParameters params) {
        // Bean Validation does not run when the profile has no params at all, so check presence here too.
        List<String> problems = new ArrayList<>();
        if (isBlank(params.local())) {
            problems.add("local: required, the name of the profile that answers first");
        }
        if (isBlank(params.server())) {
            problems.add("server: required, the name of the profile to escalate to");
        }
        if (problems.isEmpty() && params.local().equals(params.server())) {
            problems.add("server: must differ from local ('" + params.local() + "')");
        }
        return problems;
    }

    private static boolean isBlank(@Nullable String value) {
        return value == null || value.isBlank();
    }

    @Override
    public Strategy create(CascadeParameters params) {
        return new CascadeStrategy(params, meters);
    }
}
