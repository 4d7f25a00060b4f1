export type Contact = {
  id: string
  owner_id: string
  first_name: string
  last_name: string
  email: string | null
  phone: string | null
  company: string | null
  job_title: string | null
  lifecycle_stage: "lead" | "prospect" | "customer" | "churned"
  notes: string | null
  created_at: string
}
