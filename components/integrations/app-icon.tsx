/** A provider's mark: the icon.svg of its folder, served by the app at /icons/<provider>.svg (no remote images). */
export function AppIcon({ icon, className = "size-9" }: { icon: string; className?: string }) {
  // A plain <img>: a local SVG needs no optimizing, and next/image would refuse it unless told to.
  // eslint-disable-next-line @next/next/no-img-element
  return <img src={icon} alt="" aria-hidden className={className} />;
}
