/**
 * A 32×32 filled circle as raw BGRA pixels (nativeImage.createFromBitmap's layout), for
 * tray states that have no icon file. Anti-aliased at the edge so it matches the PNGs;
 * premultiplied alpha.
 */
export function dotIcon([r, g, b]: [number, number, number], size = 32): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const c = (size - 1) / 2;
  const radius = size * 0.42;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const coverage = Math.max(0, Math.min(1, radius + 0.5 - Math.hypot(x - c, y - c)));
      const i = (y * size + x) * 4;
      // Premultiplied, as Skia stores bitmaps.
      pixels[i] = Math.round(b * coverage);
      pixels[i + 1] = Math.round(g * coverage);
      pixels[i + 2] = Math.round(r * coverage);
      pixels[i + 3] = Math.round(coverage * 255);
    }
  }
  return pixels;
}
