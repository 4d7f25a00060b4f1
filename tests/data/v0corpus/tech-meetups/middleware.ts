import { NextResponse, type NextRequest } from 'next/server'

// Einfacher Schutz für /admin per Basic Auth (Zugangsdaten aus der Umgebung).
export function middleware(request: NextRequest) {
  if (!request.nextUrl.pathname.startsWith('/admin')) {
    return NextResponse.next()
  }

  const header = request.headers.get('authorization')
  if (header?.startsWith('Basic ')) {
    const [user, password] = atob(header.slice(6)).split(':')
    if (user === process.env.ADMIN_USER && password === process.env.ADMIN_PASSWORD) {
      return NextResponse.next()
    }
  }

  return new NextResponse('Authentifizierung erforderlich', {
    status: 401,
    headers: { 'WWW-Authenticate': 'Basic realm="Rheinland JS Admin"' },
  })
}

export const config = {
  matcher: ['/admin/:path*'],
}
