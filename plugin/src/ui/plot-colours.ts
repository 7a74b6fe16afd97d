/** The emotion plot's colours, DOM-free so the legend, the plot and Node-side tests share one list. */
export const PLOT_COLOURS = { music: '#4b9cf5', shot: '#f29423', grid: '#4a4a4a', match: '#2d9d78', mismatch: '#d7373f' } as const;
