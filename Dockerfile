# syntax=docker/dockerfile:1
# Build: Maven with JDK 17; the dependency layer is cached separately from the sources.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -ntp -q dependency:go-offline
COPY src src
COPY db db
COPY openapi openapi
RUN mvn -B -ntp -q package -DskipTests && cp target/grokscope-*.jar /grokscope.jar
# Spring Boot's layers, most stable first: a change to the code rebuilds the 2 MB application layer, not the ~200 MB
# of dependencies (ND4J, OpenBLAS and the PostgreSQL binaries).
RUN java -Djarmode=tools -jar /grokscope.jar extract --layers --launcher --destination /extracted

# Run: a slim JRE as a non-root user. ND4J's native code needs glibc (not Alpine).
FROM eclipse-temurin:17-jre-jammy
# curl for the HEALTHCHECK (the Temurin images have carried it; installed only where they stop doing so).
RUN command -v curl >/dev/null || (apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*)
RUN groupadd --system grokscope && useradd --system --gid grokscope --home /app grokscope
WORKDIR /app
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /extracted/application/ ./
RUN mkdir -p /app/data && chown -R grokscope:grokscope /app
USER grokscope
EXPOSE 8080
# The service binds to the loopback address unless told otherwise; in a container it must listen on every interface
# (the published port reaches it from outside the container's own loopback).
ENV SERVER_ADDRESS=0.0.0.0
# ND4J keeps its arrays off-heap: leave most of the container's memory to it. A JVM out of heap exits (and is
# restarted by its orchestrator; the job pool resumes its runs from their checkpoints) instead of limping on.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40 -XX:+ExitOnOutOfMemoryError"
# OpenBLAS's threads sleep right after each product instead of spinning ~0.1 s, which took a core from the training's
# own kernels (see pom.xml, openblas.thread-timeout).
ENV OPENBLAS_THREAD_TIMEOUT=4
# Ready: the application accepts traffic and its database answers (the readiness group, application.properties).
# The start period covers the embedded PostgreSQL's first initdb and Flyway's migrations.
HEALTHCHECK --interval=15s --timeout=5s --start-period=90s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${SERVER_PORT:-8080}/actuator/health/readiness" >/dev/null || exit 1
# exec form: java is PID 1 and receives docker stop's SIGTERM itself, so the graceful stop runs.
ENTRYPOINT ["java", "org.springframework.boot.loader.launch.JarLauncher"]
