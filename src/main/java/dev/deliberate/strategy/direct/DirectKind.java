package dev.deliberate.strategy.direct;

import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import dev.deliberate.strategy.AnswerFormat;
import dev.deliberate.strategy.Roles;
import java.util.Set;

/** {@code strategy: direct}: one call to the {@code solver}. */
public final class DirectKind implements StrategyKind<DirectParameters> {

    private final AnswerFormat format;

    public DirectKind(AnswerFormat format) {
        this.format = format;
    }

    @Override
    public String name() {
        return "direct";
    }

    @Override
    public Class<DirectParameters> parametersType() {
        return DirectParameters.class;
    }

    @Override
    public Set<String> roles(DirectParameters params) {
        return Set.of(Roles.SOLVER);
    }

    @Override
    public Strategy create(DirectParameters params) {
        return new DirectStrategy(params, format);
    }
}
