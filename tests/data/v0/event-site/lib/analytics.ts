// Lightweight first-party analytics for the festival site.
const sessionId = window.localStorage.getItem("hjf-session") ?? crypto.randomUUID()

export function track(event: string, data: Record<string, unknown> = {}) {
  if (typeof window === "undefined") return
  window.localStorage.setItem("hjf-session", String(sessionId))
  navigator.sendBeacon?.("/api/track", JSON.stringify({ event, sessionId, ...data }))
}
