import PipelineBoard from '@/components/pipeline-board'

export default function Page() {
  return (
    <main className="min-h-screen p-6 md:p-10">
      <PipelineBoard />
    </main>
  )
}
