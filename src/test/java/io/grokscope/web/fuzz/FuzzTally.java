package io.grokscope.web.fuzz;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Requests and the statuses they got, per operation and kind of hostility; printed as a table at the end. */
final class FuzzTally {

    private final Map<String, Map<Hostility, Map<Integer, AtomicInteger>>> statuses = new TreeMap<>();

    private final Map<String, Long> nanos = new TreeMap<>();

    synchronized void took(String operation, long elapsedNanos) {
        nanos.put(operation, elapsedNanos);
    }

    synchronized void record(FuzzRequest request, int status) {
        statuses.computeIfAbsent(request.operation().key(), k -> new TreeMap<>())
                .computeIfAbsent(request.kind(), k -> new TreeMap<>())
                .computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
    }

    synchronized int requests(String operation) {
        return statuses.getOrDefault(operation, Map.of()).values().stream()
                .mapToInt(FuzzTally::sum).sum();
    }

    synchronized long serverErrors() {
        return statuses.values().stream().flatMap(byKind -> byKind.values().stream())
                .flatMap(byStatus -> byStatus.entrySet().stream()).filter(e -> e.getKey() >= 500)
                .mapToLong(e -> e.getValue().get()).sum();
    }

    private static int sum(Map<Integer, AtomicInteger> byStatus) {
        return byStatus.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    synchronized String table() {
        StringBuilder table = new StringBuilder();
        String row = "%-44s %-15s %8s  %s%n";
        table.append(String.format(row, "operation", "hostility", "requests", "statuses seen (status=count)"));
        Map<Hostility, Map<Integer, Integer>> byKind = new TreeMap<>();
        int total = 0;
        for (var operation : statuses.entrySet()) {
            int operationTotal = 0;
            for (var kind : operation.getValue().entrySet()) {
                int requests = sum(kind.getValue());
                operationTotal += requests;
                table.append(String.format(row, operation.getKey(), kind.getKey(), requests, plain(kind.getValue())));
                kind.getValue().forEach((status, count) -> byKind.computeIfAbsent(kind.getKey(), k -> new TreeMap<>())
                        .merge(status, count.get(), Integer::sum));
            }
            table.append(String.format(row, operation.getKey(), "(all)", operationTotal,
                    String.format("%.1f s", nanos.getOrDefault(operation.getKey(), 0L) / 1e9)));
            total += operationTotal;
        }
        table.append(String.format("%nper hostility, over every operation:%n"));
        byKind.forEach((kind, counts) -> table.append(String.format(row, "", kind,
                counts.values().stream().mapToInt(Integer::intValue).sum(), counts)));
        table.append(String.format("%ntotal: %d requests over %d operations, %d answered 5xx%n", total,
                statuses.size(), serverErrors()));
        return table.toString();
    }

    private static Map<Integer, Integer> plain(Map<Integer, AtomicInteger> counts) {
        Map<Integer, Integer> plain = new TreeMap<>();
        counts.forEach((status, count) -> plain.put(status, count.get()));
        return plain;
    }
}
