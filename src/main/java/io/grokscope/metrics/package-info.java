/**
 * The metrics store: per-step metric rows and Fourier spectra of every run, written in fenced batches off the
 * training thread ({@link io.grokscope.metrics.MetricStore#open}), and read back as curves, downsampled in the database
 * so that jumps and single spikes survive ({@link io.grokscope.metrics.MetricQueries}), over HTTP as JSON, CSV and
 * Server-Sent Events.
 */
package io.grokscope.metrics;
