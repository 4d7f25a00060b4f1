import { Check } from 'lucide-react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardFooter, CardHeader, CardTitle } from '@/components/ui/card'

const plans = [
  {
    name: 'Hobby',
    price: '$0',
    description: 'For side projects',
    features: ['2,000 build minutes', 'Community support', '1 concurrent job'],
  },
  {
    name: 'Team',
    price: '$29',
    description: 'Per seat, billed monthly',
    features: ['Unlimited build minutes', 'Remote cache (100 GB)', '10 concurrent jobs', 'Priority support'],
    popular: true,
  },
  {
    name: 'Enterprise',
    price: 'Custom',
    description: 'SSO, audit logs, SLAs',
    features: ['Dedicated runners', 'SAML SSO', 'Self-hosted option', 'Named support engineer'],
  },
]

export function Pricing() {
  return (
    <section id="pricing" className="mx-auto max-w-6xl px-6 py-20">
      <h2 className="mb-12 text-center text-3xl font-semibold">Simple pricing</h2>
      <div className="grid gap-6 md:grid-cols-3">
        {plans.map((plan) => (
          <Card key={plan.name} className={plan.popular ? 'border-primary' : undefined}>
            <CardHeader>
              <div className="flex items-center justify-between">
                <CardTitle>{plan.name}</CardTitle>
                {plan.popular && <Badge>Most popular</Badge>}
              </div>
              <CardDescription>{plan.description}</CardDescription>
              <p className="text-4xl font-semibold">{plan.price}</p>
            </CardHeader>
            <CardContent className="space-y-2">
              {plan.features.map((feature) => (
                <p key={feature} className="flex items-center gap-2 text-sm">
                  <Check className="size-4 text-emerald-500" /> {feature}
                </p>
              ))}
            </CardContent>
            <CardFooter>
              <Button className="w-full" variant={plan.popular ? 'default' : 'outline'} asChild>
                <a href={plan.name === 'Enterprise' ? 'mailto:sales@shipyard.dev' : 'https://app.shipyard.dev/signup'}>
                  {plan.name === 'Enterprise' ? 'Talk to us' : 'Get started'}
                </a>
              </Button>
            </CardFooter>
          </Card>
        ))}
      </div>
    </section>
  )
}
