// markdown-it-container ships no types; markdown-it itself does.
declare module 'markdown-it-container' {
  import type { PluginWithOptions, RendererRule } from 'markdown-it';
  const container: PluginWithOptions<{ validate?: (params: string) => boolean; render?: RendererRule; marker?: string }>;
  export default container;
}
