import Image from "next/image"
import Link from "next/link"
import { notFound } from "next/navigation"
import { getProject, getProjects } from "@/lib/projects"

export function generateStaticParams() {
  return getProjects().map((p) => ({ slug: p.slug }))
}

export default function ProjectPage({ params }: { params: { slug: string } }) {
  const project = getProject(params.slug)
  if (!project) notFound()

  return (
    <main className="mx-auto max-w-4xl space-y-8 px-6 py-16">
      <Link href="/" className="text-sm text-neutral-500 hover:text-neutral-900">
        ← All work
      </Link>
      <div>
        <p className="text-sm uppercase tracking-widest text-neutral-500">
          {project.category} · {project.year}
        </p>
        <h1 className="mt-2 text-3xl font-light">{project.title}</h1>
        <p className="mt-4 text-neutral-600">{project.story}</p>
      </div>
      <div className="space-y-6">
        {project.images.map((src, i) => (
          <Image key={i} src={src} alt={`${project.title} ${i + 1}`} width={1200} height={800} className="w-full rounded-md" />
        ))}
      </div>
    </main>
  )
}
