import { BookingForm } from "@/components/booking-form";
import { ChatWidget } from "@/components/chat-widget";
import { studioName } from "@/lib/config";

export default function Home() {
  return (
    <main className="container-narrow py-12">
      <h1 className="font-display text-4xl text-studio-sage animate-float">{studioName}</h1>
      <p className="mt-2 text-muted-foreground">
        Small classes, big results. Pick a date and time slot to book your appointment.
      </p>
      <BookingForm />
      <ChatWidget />
    </main>
  );
}
