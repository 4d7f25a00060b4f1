if (!process.env.NEXT_PUBLIC_STUDIO_ID) {
  throw new Error("NEXT_PUBLIC_STUDIO_ID is not set. Add it to .env.local");
}

export const studioId = process.env.NEXT_PUBLIC_STUDIO_ID;
export const studioName = process.env.NEXT_PUBLIC_STUDIO_NAME ?? "Studio Flow Pilates";
