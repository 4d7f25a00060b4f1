"use client";

import { useState } from "react";
import { format } from "date-fns";
import { Calendar } from "@/components/ui/calendar";
import { Button } from "@/components/ui/button";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { useIsMobile } from "@/hooks/use-mobile";
import { toast } from "sonner";

const timeSlots = ["07:00", "09:30", "12:15", "17:45", "19:00"];
const classTypes = ["Reformer", "Mat", "Prenatal"];

export function BookingForm() {
  const [selectedDate, setSelectedDate] = useState<Date | undefined>(new Date());
  const [selectedTime, setSelectedTime] = useState<string>("");
  const [classType, setClassType] = useState("Reformer");
  const isMobile = useIsMobile();

  async function book(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!selectedDate || !selectedTime) return;
    await fetch("/api/bookings", {
      method: "POST",
      body: JSON.stringify({ date: selectedDate, time: selectedTime, classType }),
    });
    toast(`Booked ${classType} on ${format(selectedDate, "EEE d MMM")} at ${selectedTime}`);
  }

  return (
    <form onSubmit={book} className="mt-8 grid gap-6 rounded-xl border p-6 shadow-xs md:grid-cols-2">
      <Calendar
        mode="single"
        selected={selectedDate}
        onSelect={setSelectedDate}
        disabled={(date) => date < new Date()}
        className="rounded-md border"
      />
      <div className="space-y-4">
        <Select value={classType} onValueChange={setClassType}>
          <SelectTrigger>
            <SelectValue placeholder="Class type" />
          </SelectTrigger>
          <SelectContent>
            {classTypes.map((type) => (
              <SelectItem key={type} value={type}>
                {type}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
        <div className={isMobile ? "grid grid-cols-2 gap-2" : "grid grid-cols-3 gap-2"}>
          {timeSlots.map((slot) => (
            <Button
              key={slot}
              type="button"
              variant={slot === selectedTime ? "default" : "outline"}
              onClick={() => setSelectedTime(slot)}
            >
              {slot}
            </Button>
          ))}
        </div>
        <Button type="submit" className="w-full">
          Book now
        </Button>
      </div>
    </form>
  );
}
