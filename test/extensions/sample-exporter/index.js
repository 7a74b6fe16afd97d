// A sample third-party extension: it adds a "csv-cuts" exporter through the public API only
// (companion/api/auto-montage.d.ts). Plain ESM JavaScript, no imports: everything comes through activate().
// Format: CSV (RFC 4180 quoting), one row per clip with frame-exact source and record ranges. Lossy: markers,
// gaps and media paths are not written.

/** @typedef {import('../../../companion/api/auto-montage').Timeline} Timeline */
/** @typedef {import('../../../companion/api/auto-montage').ExtensionContext} ExtensionContext */
/** @typedef {import('../../../companion/api/auto-montage').AutoMontageApi} AutoMontageApi */

/** Quotes a CSV field when it holds the separator, a quote or a line break. */
function field(value, separator) {
  const text = String(value);
  return text.includes(separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * @param {Timeline} timeline
 * @param {string} separator
 * @param {boolean} header
 */
function cutList(timeline, separator, header) {
  const rows = header ? [['track', 'clip', 'media', 'sourceIn', 'sourceOut', 'recordIn', 'recordOut']] : [];
  for (const track of timeline.tracks) {
    let position = 0;
    for (const item of track.items) {
      const range = item.kind === 'clip' ? item.sourceRange.duration : item.duration;
      // Lengths on the sequence grid (media and sequence share a rate in a montage).
      const frames = Math.round((range.value * range.rate.den * timeline.rate.num) / (range.rate.num * timeline.rate.den));
      if (item.kind === 'clip') {
        const sourceIn = item.sourceRange.start.value;
        rows.push([track.name, item.name, item.mediaId, sourceIn, sourceIn + item.sourceRange.duration.value, position, position + frames]);
      }
      position += frames;
    }
  }
  return rows.map((row) => row.map((value) => field(value, separator)).join(separator)).join('\r\n') + '\r\n';
}

/**
 * @param {ExtensionContext} context
 * @param {AutoMontageApi} api
 */
export function activate(context, api) {
  context.subscriptions.push(
    api.exporters.registerExporter('csv-cuts', {
      export(timeline, options, token) {
        api.errors.throwIfCancelled(token);
        if (timeline.tracks.length === 0) throw api.errors.invalidTimeline('the timeline has no tracks', 'tracks');
        const separator = String(options.values.separator);
        return [{ name: `${options.baseName}.csv`, contents: cutList(timeline, separator, options.values.header === true) }];
      },
    }),
  );
  context.log('csv-cuts exporter registered');
}

export function deactivate() {}
