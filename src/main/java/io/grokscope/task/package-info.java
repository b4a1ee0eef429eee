/**
 * The algorithmic tasks that grokking is studied on: complete operation tables over Z_p or the permutation group S5
 * (Power et al. 2022, App. A.1.1), or over a user's expression in {@code a}, {@code b} and {@code p}, and their
 * seeded train/test splits.
 *
 * <p>{@link io.grokscope.task.AlgorithmicTask#generate} turns a {@link io.grokscope.task.TaskSpec} into
 * {@link io.grokscope.task.TaskData}. Everything here is deterministic: a spec always yields the same table in the
 * same order and the same split, because the shuffle's generator ({@code SplitMix64}) is part of this package rather
 * than borrowed from a library. That is what lets a run be resumed, repeated, or compared with another on exactly the
 * same training pairs. Values are residues (tokens {@code 0..p-1}) or S5 permutation ranks (tokens {@code 0..119}),
 * so models see each element as one abstract token, as in the papers. The package is plain Java with no framework
 * dependency, so the numerical core can be tested and reused on its own; user expressions are parsed by a small
 * hand-written parser into an immutable tree and never executed as code.
 */
package io.grokscope.task;
