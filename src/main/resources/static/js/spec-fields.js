// The fields of an experiment spec as the form shows them. `pointer` is the field's JSON pointer in the spec — the
// same string the service names in its validation errors, which is how an error finds its field. `when` shows a
// field only while another field has one of the given values.

const OPERATIONS = ['ADD', 'SUBTRACT', 'MULTIPLY', 'DIVIDE', 'DIVIDE_IF_ODD_ELSE_SUBTRACT', 'SQUARE_SUM', 'QUAD_SUM',
  'QUAD_SUM_PLUS_A', 'CUBE_PLUS_AB', 'CUBE_MIXED', 'S5_COMPOSE', 'S5_CONJUGATE', 'S5_SANDWICH', 'EXPRESSION'];
const TRANSFORMER = { field: '/model/type', values: ['TRANSFORMER'] };
const MLP = { field: '/model/type', values: ['MLP'] };
const ADAM_FAMILY = { field: '/optimizer/type', values: ['ADAMW', 'ADAM'] };

export const SECTIONS = [
  {
    legend: 'Experiment',
    fields: [
      { pointer: '/name', label: 'Name', type: 'text', required: true },
      { pointer: '/priority', label: 'Priority', type: 'integer', hint: '−100 to 100; higher is trained first' },
    ],
  },
  {
    legend: 'Task',
    fields: [
      { pointer: '/task/operation', label: 'Operation', type: 'select', options: OPERATIONS, required: true },
      { pointer: '/task/expression', label: 'Expression', type: 'text', hint: 'e.g. a^2 + a*b + b^2',
        when: { field: '/task/operation', values: ['EXPRESSION'] } },
      { pointer: '/task/modulus', label: 'Modulus p', type: 'integer', hint: 'ignored for S5' },
      { pointer: '/task/trainFraction', label: 'Train fraction', type: 'number' },
      { pointer: '/task/seed', label: 'Split seed', type: 'integer' },
    ],
  },
  {
    legend: 'Model',
    fields: [
      { pointer: '/model/type', label: 'Type', type: 'select', options: ['TRANSFORMER', 'MLP'], required: true },
      { pointer: '/model/layers', label: 'Layers', type: 'integer', when: TRANSFORMER },
      { pointer: '/model/dModel', label: 'd_model', type: 'integer', when: TRANSFORMER },
      { pointer: '/model/heads', label: 'Heads', type: 'integer', when: TRANSFORMER },
      { pointer: '/model/dMlp', label: 'd_mlp', type: 'integer', when: TRANSFORMER },
      { pointer: '/model/activation', label: 'Activation', type: 'select', options: ['RELU', 'GELU'], when: TRANSFORMER },
      { pointer: '/model/layerNorm', label: 'LayerNorm', type: 'select', options: ['NONE', 'PRE', 'PRE_NORMALISED_STREAM', 'POST'],
        hint: 'PRE_NORMALISED_STREAM: LN1 replaces the residual stream (the Grokfast code)', when: TRANSFORMER },
      { pointer: '/model/sequence', label: 'Sequence', type: 'select', options: ['A_B_EQ', 'A_OP_B_EQ'], when: TRANSFORMER },
      { pointer: '/model/embedDim', label: 'Embedding size', type: 'integer', when: MLP },
      { pointer: '/model/hiddenDims', label: 'Hidden layers', type: 'integers', hint: 'widths, e.g. 512 or 256, 256', when: MLP },
      { pointer: '/model/activation', label: 'Activation', type: 'select', options: ['RELU', 'QUADRATIC'], when: MLP },
      { pointer: '/model/inputEncoding', label: 'Input encoding', type: 'select', options: ['EMBEDDING', 'ONE_HOT'], when: MLP },
      { pointer: '/model/init', label: 'Initialisation', type: 'select', options: ['NANDA', 'TORCH_DEFAULT'],
        hint: 'TORCH_DEFAULT: PyTorch module defaults (the Grokfast code)', when: TRANSFORMER },
      { pointer: '/model/initScale', label: 'Init scale', type: 'number' },
    ],
  },
  {
    legend: 'Optimizer',
    fields: [
      { pointer: '/optimizer/type', label: 'Type', type: 'select', options: ['ADAMW', 'ADAM', 'SGD'] },
      { pointer: '/optimizer/learningRate', label: 'Learning rate', type: 'number' },
      { pointer: '/optimizer/weightDecay', label: 'Weight decay', type: 'number' },
      { pointer: '/optimizer/beta1', label: 'β1', type: 'number', when: ADAM_FAMILY },
      { pointer: '/optimizer/beta2', label: 'β2', type: 'number', when: ADAM_FAMILY },
      { pointer: '/optimizer/momentum', label: 'Momentum', type: 'number', when: { field: '/optimizer/type', values: ['SGD'] } },
      { pointer: '/optimizer/warmupSteps', label: 'Warm-up steps', type: 'integer' },
      { pointer: '/optimizer/gradientFilter/type', label: 'Grokfast filter', type: 'select', options: ['EMA', 'MA'], empty: 'none' },
      { pointer: '/optimizer/gradientFilter/alpha', label: 'EMA α', type: 'number',
        when: { field: '/optimizer/gradientFilter/type', values: ['EMA'] } },
      { pointer: '/optimizer/gradientFilter/window', label: 'MA window', type: 'integer',
        when: { field: '/optimizer/gradientFilter/type', values: ['MA'] } },
      { pointer: '/optimizer/gradientFilter/lambda', label: 'Filter λ', type: 'number',
        when: { field: '/optimizer/gradientFilter/type', values: ['EMA', 'MA'] } },
    ],
  },
  {
    legend: 'Training',
    fields: [
      { pointer: '/training/steps', label: 'Steps', type: 'integer' },
      { pointer: '/training/batchSize', label: 'Batch size', type: 'integer', hint: 'empty: full batch' },
      { pointer: '/training/loss', label: 'Loss', type: 'select', options: ['CROSS_ENTROPY', 'MSE'] },
      { pointer: '/training/evalEvery', label: 'Evaluate every', type: 'integer', hint: 'steps' },
      { pointer: '/training/checkpointEvery', label: 'Checkpoint every', type: 'integer', hint: 'steps' },
      { pointer: '/training/seed', label: 'Seed', type: 'integer' },
    ],
  },
  {
    legend: 'Analysis',
    fields: [
      { pointer: '/analysis/memorizationThreshold', label: 'Memorization threshold', type: 'number', hint: 'train accuracy' },
      { pointer: '/analysis/generalizationThreshold', label: 'Generalization threshold', type: 'number', hint: 'test accuracy' },
      { pointer: '/analysis/grokkingMinDelay', label: 'Grokking minimum delay', type: 'integer', hint: 'steps' },
      { pointer: '/analysis/progressMeasuresEvery', label: 'Progress measures every', type: 'integer', hint: 'steps; 0 = never' },
    ],
  },
];
