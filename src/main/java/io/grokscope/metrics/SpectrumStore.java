package io.grokscope.metrics;

import io.grokscope.database.TrainingDatabase;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Fourier spectra of a run (per-frequency norms of W_E and W_L, and the key frequencies), one row per measured step,
 * for {@code /spectrum}. Writes are fenced like metric batches and, like them, use the job pool's own connections.
 */
@Repository
public class SpectrumStore {

    private final JdbcTemplate jdbc;
    private final JdbcTemplate writer;
    private final TransactionTemplate transactions;

    SpectrumStore(JdbcTemplate jdbc, TrainingDatabase training) {
        this.jdbc = jdbc;
        this.writer = training.jdbc();
        this.transactions = training.transactions();
    }

    /**
     * Stores the spectrum at {@code step} if the fence holds (under its share lock, {@link WriteFence#lock}); false
     * otherwise. A re-delivered step is kept as is.
     */
    public boolean save(WriteFence fence, long step, double[] embedNorms, double[] unembedNorms, int[] keyFrequencies) {
        return save(fence, step, embedNorms, unembedNorms, keyFrequencies, null);
    }

    /**
     * Stores the spectrum at {@code step} with the single-frequency excluded losses (element k - 1 = frequency k, or
     * null when not measured) if the fence holds (under its share lock, {@link WriteFence#lock}); false otherwise. A
     * re-delivered step is kept as is.
     */
    public boolean save(WriteFence fence, long step, double[] embedNorms, double[] unembedNorms, int[] keyFrequencies,
            double[] excludedLosses) {
        Boolean saved = transactions.execute(status -> {
            if (!fence.lock(writer)) {
                return false;
            }
            writer.update("""
                    insert into spectrum (experiment_id, step, embed_norms, unembed_norms, key_frequencies,
                                          excluded_losses)
                    values (?, ?, ?, ?, ?, ?)
                    on conflict (experiment_id, step) do nothing
                    """, fence.experimentId(), step, boxed(embedNorms), boxed(unembedNorms), boxed(keyFrequencies),
                    excludedLosses == null ? null : boxed(excludedLosses));
            return true;
        });
        return Boolean.TRUE.equals(saved);
    }

    /** The spectrum at {@code step}, or the latest one when {@code step} is null. */
    public Optional<StoredSpectrum> find(long experimentId, Long step) {
        String where = step == null ? "order by step desc limit 1" : "and step = ? ";
        Object[] args = step == null ? new Object[] { experimentId } : new Object[] { experimentId, step };
        return jdbc.query("select step, embed_norms, unembed_norms, key_frequencies, excluded_losses from spectrum"
                + " where experiment_id = ? " + where, SpectrumStore::read, args).stream().findFirst();
    }

    /** Every step at which a spectrum was measured, ascending. */
    public List<Long> steps(long experimentId) {
        return jdbc.queryForList("select step from spectrum where experiment_id = ? order by step", Long.class,
                experimentId);
    }

    private static StoredSpectrum read(ResultSet rs, int row) throws SQLException {
        Array excluded = rs.getArray(5);
        return new StoredSpectrum(rs.getLong(1), doubles(rs.getArray(2)), doubles(rs.getArray(3)),
                ints(rs.getArray(4)), excluded == null ? null : doubles(excluded));
    }

    private static double[] doubles(Array array) throws SQLException {
        return Arrays.stream((Double[]) array.getArray()).mapToDouble(Double::doubleValue).toArray();
    }

    private static int[] ints(Array array) throws SQLException {
        return Arrays.stream((Integer[]) array.getArray()).mapToInt(Integer::intValue).toArray();
    }

    private static Double[] boxed(double[] values) {
        return Arrays.stream(values).boxed().toArray(Double[]::new);
    }

    private static Integer[] boxed(int[] values) {
        return Arrays.stream(values).boxed().toArray(Integer[]::new);
    }

    /**
     * One stored spectrum. Index k - 1 of each norms array is frequency k (k = 1..(p-1)/2).
     *
     * @param step           the measured step
     * @param embedNorms     n_k of the embedding W_E
     * @param unembedNorms   n_k of W_L, the map into the logits
     * @param keyFrequencies the key frequencies at that step (possibly none yet)
     * @param excludedLosses the excluded loss of each single frequency (index k − 1 = frequency k), or null when not
     *                       measured
     */
    public record StoredSpectrum(long step, double[] embedNorms, double[] unembedNorms, int[] keyFrequencies,
            double[] excludedLosses) {
    }
}
