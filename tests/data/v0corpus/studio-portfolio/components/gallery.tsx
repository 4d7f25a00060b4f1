"use client"

import { useState } from "react"
import Image from "next/image"
import Link from "next/link"
import { Badge } from "@/components/ui/badge"
import { cn } from "@/lib/utils"
import type { Project } from "@/lib/projects"

export default function Gallery({ projects, categories }: { projects: Project[]; categories: string[] }) {
  const [active, setActive] = useState<string>("All")
  const shown = active === "All" ? projects : projects.filter((p) => p.category === active)

  return (
    <div className="space-y-8">
      <div className="flex flex-wrap gap-2">
        {["All", ...categories].map((c) => (
          <button
            key={c}
            onClick={() => setActive(c)}
            className={cn("rounded-full border px-4 py-1 text-sm", active === c ? "bg-neutral-900 text-white" : "hover:bg-neutral-100")}
          >
            {c}
          </button>
        ))}
      </div>
      <div className="grid gap-6 sm:grid-cols-2 lg:grid-cols-3">
        {shown.map((project) => (
          <Link key={project.slug} href={`/work/${project.slug}`} className="group space-y-2">
            <Image src={project.cover} alt={project.title} width={600} height={400} className="aspect-[3/2] w-full rounded-md object-cover transition group-hover:opacity-90" />
            <div className="flex items-center justify-between">
              <h3 className="font-medium">{project.title}</h3>
              <Badge variant="secondary">{project.year}</Badge>
            </div>
          </Link>
        ))}
      </div>
    </div>
  )
}
