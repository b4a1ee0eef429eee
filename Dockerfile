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

# Run: a slim JRE as a non-root user. ND4J's native code needs glibc (not Alpine).
FROM eclipse-temurin:17-jre-jammy
RUN groupadd --system grokscope && useradd --system --gid grokscope --home /app grokscope
WORKDIR /app
COPY --from=build /grokscope.jar /app/grokscope.jar
RUN mkdir -p /app/data && chown -R grokscope:grokscope /app
USER grokscope
EXPOSE 8080
# The service binds to 127.0.0.1 unless told otherwise; in a container that would be unreachable from the host.
ENV SERVER_ADDRESS=0.0.0.0
# ND4J keeps its arrays off-heap: leave most of the container's memory to it.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=40"
# OpenBLAS's threads sleep right after each product instead of spinning ~0.1 s, which took a core from the training's
# own kernels (see pom.xml, openblas.thread-timeout).
ENV OPENBLAS_THREAD_TIMEOUT=4
ENTRYPOINT ["java", "-jar", "/app/grokscope.jar"]
