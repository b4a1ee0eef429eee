// Starting points for the new-experiment form: the papers' setups, and Grokfast's two gradient filters on top.

export const PRESETS = {
  nanda: {
    label: 'Nanda et al. 2023: 1-layer transformer, a + b mod 113',
    spec: {
      name: 'nanda-p113',
      task: { operation: 'ADD', modulus: 113, trainFraction: 0.3, seed: 0 },
      model: { type: 'TRANSFORMER', layers: 1, dModel: 128, heads: 4, dMlp: 512, activation: 'RELU', layerNorm: 'NONE',
        sequence: 'A_B_EQ', initScale: 1.0 },
      optimizer: { type: 'ADAMW', learningRate: 0.001, weightDecay: 1.0, beta1: 0.9, beta2: 0.98, warmupSteps: 10 },
      training: { steps: 40000, loss: 'CROSS_ENTROPY', evalEvery: 100, checkpointEvery: 1000, seed: 0 },
      analysis: { memorizationThreshold: 0.99, generalizationThreshold: 0.99, grokkingMinDelay: 1000, progressMeasuresEvery: 100 },
    },
  },
  power: {
    label: 'Power et al. 2022: 2-layer transformer, a ÷ b mod 97',
    spec: {
      name: 'power-div97',
      task: { operation: 'DIVIDE', modulus: 97, trainFraction: 0.5, seed: 0 },
      model: { type: 'TRANSFORMER', layers: 2, dModel: 128, heads: 4, dMlp: 512, activation: 'GELU', layerNorm: 'PRE',
        sequence: 'A_OP_B_EQ', initScale: 1.0 },
      optimizer: { type: 'ADAMW', learningRate: 0.001, weightDecay: 1.0, beta1: 0.9, beta2: 0.98, warmupSteps: 10 },
      training: { steps: 100000, batchSize: 512, loss: 'CROSS_ENTROPY', evalEvery: 100, checkpointEvery: 1000, seed: 0 },
      analysis: { memorizationThreshold: 0.99, generalizationThreshold: 0.99, grokkingMinDelay: 1000, progressMeasuresEvery: 100 },
    },
  },
  grokfast: {
    label: 'Lee et al. 2024 (Grokfast): 2-layer transformer, a · b mod 97',
    // The reference code's model: its block continues the residual stream from LN1(x), and its modules keep
    // PyTorch's default initialisation. Adam with L2 weight decay; the paper's decay depends on the filter.
    spec: {
      name: 'grokfast-mul97',
      task: { operation: 'MULTIPLY', modulus: 97, trainFraction: 0.5, seed: 0 },
      model: { type: 'TRANSFORMER', layers: 2, dModel: 128, heads: 4, dMlp: 512, activation: 'GELU',
        layerNorm: 'PRE_NORMALISED_STREAM', sequence: 'A_OP_B_EQ', initScale: 1.0, init: 'TORCH_DEFAULT' },
      optimizer: { type: 'ADAM', learningRate: 0.001, weightDecay: 0.0, beta1: 0.9, beta2: 0.98, warmupSteps: 10 },
      training: { steps: 5000, batchSize: 512, loss: 'CROSS_ENTROPY', evalEvery: 10, checkpointEvery: 1000, seed: 0 },
      analysis: { memorizationThreshold: 0.99, generalizationThreshold: 0.95, grokkingMinDelay: 1000, progressMeasuresEvery: 0 },
    },
    weightDecayWithFilter: { EMA: 0.005, MA: 0.01 },
  },
  mlp: {
    label: 'MLP: embedding 128, one ReLU layer of 512, a + b mod 97',
    spec: {
      name: 'mlp-add97',
      task: { operation: 'ADD', modulus: 97, trainFraction: 0.5, seed: 0 },
      model: { type: 'MLP', embedDim: 128, hiddenDims: [512], activation: 'RELU', inputEncoding: 'EMBEDDING', initScale: 1.0 },
      optimizer: { type: 'ADAMW', learningRate: 0.001, weightDecay: 1.0, beta1: 0.9, beta2: 0.98, warmupSteps: 10 },
      training: { steps: 20000, loss: 'CROSS_ENTROPY', evalEvery: 50, checkpointEvery: 1000, seed: 0 },
      analysis: { memorizationThreshold: 0.99, generalizationThreshold: 0.99, grokkingMinDelay: 1000, progressMeasuresEvery: 100 },
    },
  },
};

/** Grokfast (Lee et al. 2024): the reference helpers' EMA defaults and the paper's best MA setting. */
export const GROKFAST = {
  none: { label: 'without Grokfast', filter: null },
  EMA: { label: 'with Grokfast-EMA (α 0.98, λ 2)', filter: { type: 'EMA', alpha: 0.98, lambda: 2.0 } },
  MA: { label: 'with Grokfast-MA (window 100, λ 5)', filter: { type: 'MA', window: 100, lambda: 5.0 } },
};

/**
 * The preset's spec with the chosen filter; the name says which filter it carries. A preset may set the weight decay
 * its paper paired with each filter.
 */
export function presetSpec(presetKey, grokfastKey) {
  const preset = PRESETS[presetKey];
  const spec = structuredClone(preset.spec);
  const { filter } = GROKFAST[grokfastKey];
  if (filter) {
    spec.optimizer.gradientFilter = { ...filter };
    spec.name = `${spec.name}-grokfast-${filter.type.toLowerCase()}`;
    const decay = preset.weightDecayWithFilter?.[filter.type];
    if (decay !== undefined) {
      spec.optimizer.weightDecay = decay;
    }
  }
  return spec;
}
