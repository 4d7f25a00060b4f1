"use client"

import { useForm } from "react-hook-form"
import { zodResolver } from "@hookform/resolvers/zod"
import { z } from "zod"
import { Button } from "@/components/ui/button"
import { Form, FormControl, FormField, FormItem, FormLabel, FormMessage } from "@/components/ui/form"
import { Input } from "@/components/ui/input"
import { track } from "@/lib/analytics"

const schema = z.object({
  name: z.string().min(2, "Tell us your name"),
  email: z.string().email("A valid email, please"),
  tickets: z.coerce.number().min(1).max(8),
})

type Registration = z.infer<typeof schema>

export default function RegisterPage() {
  const form = useForm<Registration>({
    resolver: zodResolver(schema),
    defaultValues: { name: "", email: "", tickets: 1 },
  })

  function onSubmit(values: Registration) {
    track("register", { tickets: values.tickets })
  }

  return (
    <main className="mx-auto max-w-md px-6 py-12">
      <h1 className="text-2xl font-bold">Register for the festival</h1>
      <Form {...form}>
        <form onSubmit={form.handleSubmit(onSubmit)} className="mt-6 space-y-4">
          <FormField
            control={form.control}
            name="name"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Name</FormLabel>
                <FormControl>
                  <Input {...field} />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          <FormField
            control={form.control}
            name="email"
            render={({ field }) => (
              <FormItem>
                <FormLabel>Email</FormLabel>
                <FormControl>
                  <Input type="email" {...field} />
                </FormControl>
                <FormMessage />
              </FormItem>
            )}
          />
          <Button type="submit" className="w-full">
            Register
          </Button>
        </form>
      </Form>
    </main>
  )
}
