// The dashboard's entry point: one page per route.

import { apiKey, setApiKey } from './api.js';
import { route, start } from './router.js';
import * as experiments from './pages/experiments.js';
import * as experiment from './pages/experiment.js';
import * as compare from './pages/compare.js';
import * as newExperiment from './pages/new-experiment.js';
import * as sweeps from './pages/sweeps.js';
import * as sweep from './pages/sweep.js';
import * as analyse from './pages/analyse.js';

route('/', experiments.render, 'experiments');
route('/experiments/:id', experiment.render, 'experiments');
route('/compare', compare.render, 'compare');
route('/new', newExperiment.render, 'new');
route('/sweeps', sweeps.render, 'sweeps');
route('/sweeps/:id', sweep.render, 'sweeps');
route('/analyse', analyse.render, 'analyse');
const keyField = document.getElementById('api-key');
keyField.value = apiKey() || '';
keyField.addEventListener('change', () => setApiKey(keyField.value.trim()));

start();
