# Build: the same `mvn package` as the README, so the image runs the same jar.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
COPY strategies strategies
COPY prompts prompts
RUN mvn -B -q -DskipTests package

# Run: a slim JRE 17, a non-root user, configuration by environment variables.
FROM eclipse-temurin:17-jre
# bubblewrap and the distribution's python3 for the code sandbox (docs/sandbox.md). It runs only when the container
# runs as root with user namespaces allowed; as shipped (non-root) it reports itself unavailable and funcoder answers
# 503 while every other profile works.
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends bubblewrap python3 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home-dir /app deliberate
WORKDIR /app
COPY --from=build /src/target/deliberate.jar /app/deliberate.jar
# Profiles and prompts are in the jar; these directories let users add or replace them by mounting files here.
COPY strategies /app/strategies
COPY prompts /app/prompts
USER deliberate
# DJL unpacks its native PyTorch libraries on first use; the non-root user's home (/app) is not writable.
ENV PORT=8080 \
    DJL_CACHE_DIR=/tmp/djl-cache \
    ENGINE_CACHE_DIR=/tmp/djl-cache \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
# Liveness, not overall health: a model server that is down makes Deliberate answer 503, not need a restart.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT} && printf 'GET /actuator/health/liveness HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["java", "-jar", "/app/deliberate.jar"]
