import projects from "@/data/projects.json"

export type Project = (typeof projects)[number]

export const getProjects = (): Project[] => projects

export const getProject = (slug: string) => projects.find((p) => p.slug === slug)

export const categories = Array.from(new Set(projects.map((p) => p.category)))
