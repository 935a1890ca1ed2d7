'use strict';
// The plotly.js the dashboard ships (scripts/build-plotly.sh): only the trace types its figures draw.
// scatter (trend lines, the bump chart) is in plotly.js's core; bar (marks lost, movers, the deck) and
// heatmap (the parameter heat-maps and the national tile map) are registered here. A figure with another
// trace type would not draw: tests/browser/test_plotly_bundle.py fails on it.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
]);

module.exports = Plotly;
