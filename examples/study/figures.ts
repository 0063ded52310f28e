/**
 * The study's figures as Vega-Lite specs rendered to SVG in Node (vega's headless renderer): no
 * browser, the same library the viewer uses (the training figure is the viewer's own chart,
 * report/specs.ts dynamicsRunsSpec). Every figure carries its uncertainty (bands or error bars,
 * said in its title).
 */

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export async function renderSvg(spec: object): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

export interface ProfilePoint {
  architecture: string;
  dataset: string;
  layer: string;
  depth: number;
  measure: string;
  mean: number;
  lo: number;
  hi: number;
}

/** Depth profiles at the end of training: mean over seeds with the 95 % t interval over seeds. */
export function profileSpec(title: string, points: ProfilePoint[], measures: string[]): object {
  const color = { field: 'dataset', type: 'nominal' };
  const x = { field: 'layer', type: 'ordinal', sort: { field: 'depth' }, title: 'layer', scale: { type: 'point', padding: 0.5 }, axis: { labelAngle: 0 } };
  return {
    $schema: SCHEMA,
    title,
    data: { values: points },
    facet: { row: { field: 'measure', type: 'nominal', title: null, sort: measures }, column: { field: 'architecture', type: 'nominal', title: null } },
    resolve: { scale: { y: 'independent', x: 'independent' } },
    spec: {
      width: 180,
      height: 130,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: null, scale: { zero: false } }, color } },
        { mark: { type: 'errorbar', thickness: 1.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: null }, y2: { field: 'hi' }, color } },
      ],
    },
  };
}

export interface StimulusPoint {
  panel: string;
  layer: string;
  estimate: string;
  stimuli: number;
  mean: number;
  lo: number;
  hi: number;
}

/** D_eff against the number of stimuli: plug-in (mean +- sd over random subsets, over seeds) and corrected. */
export function stimulusSpec(title: string, points: StimulusPoint[], panels: string[]): object {
  const x = { field: 'stimuli', type: 'quantitative', scale: { type: 'log' }, title: 'stimuli' };
  const color = { field: 'layer', type: 'nominal' };
  const dash = {
    field: 'estimate',
    type: 'nominal',
    title: 'estimate',
    scale: {
      domain: ['plug-in', 'corrected'],
      range: [
        [1, 0],
        [5, 3],
      ],
    },
  };
  return {
    $schema: SCHEMA,
    title,
    data: { values: points },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    columns: 4,
    resolve: { scale: { y: 'independent' } },
    spec: {
      width: 170,
      height: 140,
      layer: [
        { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative', title: 'D_eff' }, color, strokeDash: dash } },
        { mark: { type: 'errorbar', thickness: 1.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: null }, y2: { field: 'hi' }, color } },
      ],
    },
  };
}

export interface ScalePoint {
  panel: string;
  dataset: string;
  resolution: number;
  mean: number;
  lo: number;
  hi: number;
}

/** C against the resolution of the scale curve, per map: mean over seeds with the seeds' range. */
export function scaleSpec(title: string, points: ScalePoint[], panels: string[]): object {
  const x = { field: 'resolution', type: 'quantitative', scale: { type: 'log' }, title: 'resolution (share of the output variance)' };
  const color = { field: 'dataset', type: 'nominal' };
  return {
    $schema: SCHEMA,
    title,
    data: { values: points },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels },
    columns: 3,
    spec: {
      width: 200,
      height: 140,
      layer: [
        { mark: { type: 'area', opacity: 0.25 }, encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'C (nats)' }, y2: { field: 'hi' }, color } },
        { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'mean', type: 'quantitative' }, color } },
      ],
    },
  };
}
