package dev.deliberate.profile;

import dev.deliberate.model.Capabilities;
import dev.deliberate.model.Endpoint;
import dev.deliberate.model.EndpointRegistry;
import dev.deliberate.run.BudgetLimits;
import dev.deliberate.run.Plan;
import dev.deliberate.run.ProfileLookup;
import dev.deliberate.run.Requirement;
import dev.deliberate.run.Strategy;
import dev.deliberate.run.StrategyKind;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;
import org.springframework.validation.Validator;

/**
 * The profiles by name, validated once at startup: every file binds to its strategy's parameter record with Spring's
 * relaxed binding, so that {@code deliberate.profiles.<name>.params.n=7} or
 * {@code DELIBERATE_PROFILES_SELFCONSISTENCY_PARAMS_N=7} override the file. An unknown strategy, role, endpoint or
 * parameter, an invalid value, or a required capability the endpoint lacks stops startup with a message naming the
 * file and the field.
 */
public final class ProfileRegistry implements ProfileLookup {

    private static final String PREFIX = "deliberate.profiles.";
    private static final Logger LOG = LoggerFactory.getLogger(ProfileRegistry.class);

    private final Map<String, Profile> profiles;

    /**
     * @param environment the application's property sources, which take precedence over the files
     * @param defaults the budget of a profile that sets none
     */
    public ProfileRegistry(
            List<ProfileSource> sources,
            Iterable<ConfigurationPropertySource> environment,
            Collection<? extends StrategyKind<?>> kinds,
            EndpointRegistry endpoints,
            BudgetLimits defaults,
            @Nullable Validator validator) {
        Map<String, StrategyKind<?>> kindsByName = new LinkedHashMap<>();
        kinds.forEach(kind -> kindsByName.put(kind.name(), kind));
        Map<String, Profile> loaded = new LinkedHashMap<>();
        for (ProfileSource source : sources) {
            List<ConfigurationPropertySource> layered = new ArrayList<>();
            environment.forEach(layered::add);
            ConfigurationPropertySources.from(source.properties()).forEach(layered::add);
            loaded.put(
                    source.name(),
                    new Loader(source, new Binder(layered), kindsByName, endpoints, defaults, validator).load());
        }
        checkSubProfiles(loaded);
        this.profiles = Map.copyOf(loaded);
    }

    /** Every profile a profile runs must exist, and no chain of sub-runs may lead back to where it started. */
    private static void checkSubProfiles(Map<String, Profile> loaded) {
        for (Profile profile : loaded.values()) {
            profile.subProfiles().forEach((field, target) -> {
                if (!loaded.containsKey(target)) {
                    throw new ProfileException("profile '" + profile.name() + "' (" + profile.source() + "): " + field
                            + ": unknown profile '" + target + "'; known profiles: "
                            + String.join(", ", new TreeSet<>(loaded.keySet())));
                }
            });
        }
        for (String start : loaded.keySet()) {
            List<String> cycle = cycleFrom(start, new ArrayList<>(List.of(start)), loaded);
            if (cycle != null) {
                Profile profile = loaded.get(start);
                throw new ProfileException("profile '" + start + "' (" + profile.source() + "): runs itself through "
                        + String.join(" -> ", cycle) + "; sub-profiles must not form a cycle");
            }
        }
    }

    private static @Nullable List<String> cycleFrom(String start, List<String> path, Map<String, Profile> loaded) {
        Profile current = loaded.get(path.get(path.size() - 1));
        for (String next : new TreeSet<>(current.subProfiles().values())) {
            List<String> longer = new ArrayList<>(path);
            longer.add(next);
            if (next.equals(start)) {
                return longer;
            }
            if (!path.contains(next)) {
                List<String> found = cycleFrom(start, longer, loaded);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    @Override
    public Optional<Plan> find(String name) {
        return Optional.ofNullable(profiles.get(name)).map(Profile::plan);
    }

    public Optional<Profile> profile(String name) {
        return Optional.ofNullable(profiles.get(name));
    }

    /** All profiles, sorted by name. */
    public List<Profile> all() {
        return profiles.values().stream()
                .sorted((a, b) -> a.name().compareTo(b.name()))
                .toList();
    }

    /** Binds and validates one profile. */
    private record Loader(
            ProfileSource source,
            Binder binder,
            Map<String, StrategyKind<?>> kinds,
            EndpointRegistry endpoints,
            BudgetLimits defaults,
            @Nullable Validator validator) {

        Profile load() {
            String prefix = PREFIX + source.name();
            // params bind as a plain map here, so that only misspelt top-level fields count as unbound
            ProfileSpec spec =
                    bind(prefix, Bindable.of(ProfileSpec.class), new NoUnboundElementsBindHandler(BindHandler.DEFAULT));
            if (spec == null || spec.strategy() == null || spec.strategy().isBlank()) {
                throw error(
                        "strategy", "missing; known strategies: " + String.join(", ", new TreeSet<>(kinds.keySet())));
            }
            StrategyKind<?> kind = kinds.get(spec.strategy());
            if (kind == null) {
                throw error(
                        "strategy",
                        "unknown strategy '" + spec.strategy() + "'; known: "
                                + String.join(", ", new TreeSet<>(kinds.keySet())));
            }
            return build(spec, kind);
        }

        private <P extends Record> Profile build(ProfileSpec spec, StrategyKind<P> kind) {
            String prefix = PREFIX + source.name();
            BindHandler handler = new NoUnboundElementsBindHandler(BindHandler.DEFAULT);
            if (validator != null) {
                handler = new ValidationBindHandler(handler, validator);
            }
            P parameters = bindOrCreate(prefix + ".params", kind.parametersType(), handler);
            List<String> problems = kind.validate(parameters);
            if (!problems.isEmpty()) {
                throw error("params", String.join("; ", problems));
            }
            Map<String, String> roles = spec.roles() == null ? Map.of() : spec.roles();
            Set<String> required = kind.roles(parameters);
            for (String role : roles.keySet()) {
                if (!required.contains(role)) {
                    throw error(
                            "roles." + role,
                            "strategy " + kind.name() + " has no role '" + role + "'; its roles: "
                                    + String.join(", ", new TreeSet<>(required)));
                }
            }
            Map<String, Endpoint> endpointsByRole = new LinkedHashMap<>();
            Map<String, Set<Requirement>> requirements = kind.requirements(parameters);
            for (String role : required) {
                String endpointName = roles.get(role);
                if (endpointName == null) {
                    throw error(
                            "roles." + role,
                            "missing: strategy " + kind.name() + " needs an endpoint for role '" + role + "'");
                }
                Endpoint endpoint = endpoints
                        .find(endpointName)
                        .orElseThrow(() -> error(
                                "roles." + role,
                                "unknown endpoint '" + endpointName + "'; configured endpoints: "
                                        + endpoints.all().stream()
                                                .map(Endpoint::name)
                                                .sorted()
                                                .collect(Collectors.joining(", "))));
                checkCapabilities(role, endpoint, requirements.getOrDefault(role, Set.of()));
                endpointsByRole.put(role, endpoint);
            }
            BudgetLimits budget = budget(spec.budget());
            Strategy strategy = kind.create(parameters);
            Plan plan = new Plan(source.name(), kind.name(), strategy, endpointsByRole, requirements, budget);
            return new Profile(
                    source.name(),
                    spec.description() == null ? "" : spec.description(),
                    kind.name(),
                    source.location(),
                    parameters,
                    roles,
                    kind.subProfiles(parameters),
                    budget,
                    plan);
        }

        /**
         * Capabilities that were only assumed (the backend did not answer the startup probe) cannot refute a
         * requirement: the run checks it again once the endpoint has been probed.
         */
        private void checkCapabilities(String role, Endpoint endpoint, Set<Requirement> requirements) {
            Capabilities capabilities = endpoint.capabilities();
            if (capabilities.source() == Capabilities.Source.ASSUMED) {
                return;
            }
            for (Requirement requirement : requirements) {
                if (requirement.metBy(capabilities)) {
                    continue;
                }
                if (shipped()) {
                    // A profile the user did not write must not stop the service over a backend it does not suit;
                    // its runs fail with a 503 that says why (Run checks requirements before each call).
                    LOG.warn(
                            "{}: roles.{}: endpoint '{}' lacks {}; the profile stays listed but its runs will fail"
                                    + " until the endpoint has it",
                            where(),
                            role,
                            endpoint.name(),
                            requirement.wireName());
                    return;
                }
                throw error(
                        "roles." + role,
                        "endpoint '" + endpoint.name() + "' lacks "
                                + requirement.wireName()
                                + " (capabilities "
                                + capabilities.source().name().toLowerCase(java.util.Locale.ROOT)
                                + "), which this strategy needs; map the role to an endpoint with it or set "
                                + "deliberate.endpoints." + endpoint.name() + ".capabilities");
            }
        }

        private BudgetLimits budget(ProfileSpec.@Nullable BudgetSpec spec) {
            if (spec == null) {
                return defaults;
            }
            try {
                return new BudgetLimits(
                        spec.maxModelCalls() != null ? spec.maxModelCalls() : defaults.maxModelCalls(),
                        spec.maxTokens() != null ? spec.maxTokens() : defaults.maxTokens(),
                        spec.deadline() != null ? spec.deadline() : defaults.deadline(),
                        spec.maxDepth() != null ? spec.maxDepth() : defaults.maxDepth(),
                        spec.maxBreadth() != null ? spec.maxBreadth() : defaults.maxBreadth(),
                        spec.maxCodeExecutions() != null ? spec.maxCodeExecutions() : defaults.maxCodeExecutions());
            } catch (IllegalArgumentException e) {
                throw error("budget", e.getMessage());
            }
        }

        private <T> @Nullable T bind(String name, Bindable<T> target, BindHandler handler) {
            try {
                return binder.bind(name, target, handler).orElse(null);
            } catch (BindException e) {
                throw describe(e);
            }
        }

        private <T> T bindOrCreate(String name, Class<T> type, BindHandler handler) {
            try {
                return binder.bindOrCreate(name, Bindable.of(type), handler);
            } catch (BindException e) {
                throw describe(e);
            }
        }

        private ProfileException describe(BindException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnboundConfigurationPropertiesException unbound) {
                String fields = unbound.getUnboundProperties().stream()
                        .map(this::fieldOf)
                        .sorted()
                        .collect(Collectors.joining(", "));
                return error(fields, "unknown field (not a setting of this profile or its strategy)");
            }
            if (cause instanceof BindValidationException invalid) {
                List<String> messages = new ArrayList<>();
                for (ObjectError objectError : invalid.getValidationErrors().getAllErrors()) {
                    String field =
                            objectError instanceof FieldError fieldError ? "params." + fieldError.getField() : "params";
                    messages.add(field + ": " + objectError.getDefaultMessage());
                }
                return new ProfileException(where() + ": " + String.join("; ", messages));
            }
            ConfigurationProperty property = e.getProperty();
            String field = property != null
                    ? fieldOf(property)
                    : e.getName().toString().replace(PREFIX + source.name() + ".", "");
            String reason =
                    cause != null && cause.getMessage() != null ? firstLine(cause.getMessage()) : "invalid value";
            return error(field, reason);
        }

        private String fieldOf(ConfigurationProperty property) {
            String field = property.getName().toString().replace(PREFIX + source.name() + ".", "");
            return property.getOrigin() != null ? field + " (" + property.getOrigin() + ")" : field;
        }

        private ProfileException error(String field, String message) {
            return new ProfileException(where() + ": " + field + ": " + message);
        }

        /** A profile from the jar rather than from the user's profiles directory. */
        private boolean shipped() {
            return source.location().startsWith("classpath:");
        }

        private String where() {
            return "profile '" + source.name() + "' (" + source.location() + ")";
        }

        private static String firstLine(String text) {
            int newline = text.indexOf('\n');
            return newline < 0 ? text : text.substring(0, newline);
        }
    }
}
