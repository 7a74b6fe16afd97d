/**
 * The built-in extensions, listed statically so that esbuild can bundle the CLI: each is its package.json
 * manifest (imported as JSON) and a loader for its module (a dynamic import of a literal path, which esbuild
 * inlines). Built-ins use exactly the public API (companion/api/auto-montage.d.ts), like user extensions.
 */
import type { ExtensionModule } from '../api/auto-montage';
import fcp7XmlManifest from '../../exporters/fcp7-xml/package.json' with { type: 'json' };
import fcpxmlManifest from '../../exporters/fcpxml/package.json' with { type: 'json' };
import edlManifest from '../../exporters/edl/package.json' with { type: 'json' };
import otioManifest from '../../exporters/otio/package.json' with { type: 'json' };
// Emotion encoders (issue 7): import the manifest here …
import emotionEncodersManifest from '../analysis/emotion/builtin-extension/package.json' with { type: 'json' };

export interface BuiltinExtension {
  /** The extension's package.json, validated by the host like any user manifest. */
  readonly manifest: unknown;
  /** Loads its module (called on first use of one of its ids). */
  readonly load: () => Promise<ExtensionModule> | ExtensionModule;
}

/** In this order the host registers them (an id belongs to the first extension that declares it). */
export const BUILTIN_EXTENSIONS: readonly BuiltinExtension[] = [
  { manifest: fcp7XmlManifest, load: () => import('../../exporters/fcp7-xml/index') },
  { manifest: fcpxmlManifest, load: () => import('../../exporters/fcpxml/index') },
  { manifest: edlManifest, load: () => import('../../exporters/edl/index') },
  { manifest: otioManifest, load: () => import('../../exporters/otio/index') },
  // … and add its one line here:
  { manifest: emotionEncodersManifest, load: () => import('../analysis/emotion/builtin-extension/index') },
];
