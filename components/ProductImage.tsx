import { useState } from 'react';

/** The product's picture from the shop; nothing at all (not a broken-image icon) when it cannot load. */
export function ProductImage({ src, alt }: { src: string; alt: string }) {
  const [failedSrc, setFailedSrc] = useState<string | null>(null);
  if (failedSrc === src) return null;
  return (
    <img className="product-image" src={src} alt={alt} referrerPolicy="no-referrer" onError={() => setFailedSrc(src)} />
  );
}
