package io.grokscope.training;

import io.grokscope.model.HostView;
import io.grokscope.model.Model;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A run's state as a checkpoint and back, and the norms its metrics report. One home for the solo and the batched
 * trainer, so that a lane's checkpoints and metrics are its solo run's by construction, not by two copies kept alike.
 */
final class TrainingState {

    private TrainingState() {
    }

    /** The parameters (FP32, in the model's order) with the optimizer's, the filter's and the sampler's state. */
    static Checkpoint capture(long step, Model model, Optimizer optimizer, GradientFilter filter,
            MinibatchSampler sampler) {
        Map<String, Checkpoint.Tensor> parameters = new LinkedHashMap<>();
        for (Map.Entry<String, INDArray> e : model.parameters().named().entrySet()) {
            parameters.put(e.getKey(), new Checkpoint.Tensor(e.getValue().shape(),
                    HostView.of(e.getValue()).toFloatArray()));
        }
        Map<String, float[]> state = new LinkedHashMap<>();
        Map<String, Long> counters = new LinkedHashMap<>();
        optimizer.save(state, counters);
        filter.save(state, counters);
        sampler.save(state, counters);
        return new Checkpoint(step, parameters, state, counters);
    }

    /** Loads a checkpoint of the same config; refuses one past the budget or of another model's shapes. */
    static void restore(Checkpoint checkpoint, long budget, Model model, Optimizer optimizer, GradientFilter filter,
            MinibatchSampler sampler) {
        if (checkpoint.step() > budget) {
            throw new IllegalArgumentException("checkpoint at step " + checkpoint.step() + " is past the budget of "
                    + budget + " steps");
        }
        Map<String, INDArray> named = model.parameters().named();
        if (!named.keySet().equals(checkpoint.parameters().keySet())) {
            throw new IllegalArgumentException("checkpoint parameters " + checkpoint.parameters().keySet()
                    + " do not match the model's " + named.keySet());
        }
        for (Map.Entry<String, INDArray> e : named.entrySet()) {
            Checkpoint.Tensor tensor = checkpoint.parameters().get(e.getKey());
            if (!Arrays.equals(tensor.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("checkpoint tensor " + e.getKey() + " has shape "
                        + Arrays.toString(tensor.shape()) + ", the model's is "
                        + Arrays.toString(e.getValue().shape()));
            }
            HostView.of(e.getValue()).setAll(tensor.values());
        }
        optimizer.restore(checkpoint);
        filter.restore(checkpoint);
        sampler.restore(checkpoint);
    }

    /** The sum of squares of any array, a view included (copied to a contiguous one first when it is not). */
    static double sumOfSquares(INDArray array) {
        boolean contiguous = array.ordering() == 'c' && (array.rank() <= 1 || array.elementWiseStride() == 1);
        return HostView.of(contiguous ? array : array.dup('c')).sumOfSquares();
    }
}
