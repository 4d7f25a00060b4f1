import { date, integer, numeric, pgEnum, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core'

export const rechnungsStatus = pgEnum('rechnungs_status', ['entwurf', 'offen', 'bezahlt', 'storniert'])

export const rechnungen = pgTable('rechnungen', {
  id: serial('id').primaryKey(),
  nummer: text('nummer').notNull().unique(),
  kundeName: text('kunde_name').notNull(),
  kundeAdresse: text('kunde_adresse').notNull(),
  kundeUstId: text('kunde_ust_id'),
  rechnungsdatum: date('rechnungsdatum').notNull(),
  faelligAm: date('faellig_am').notNull(),
  status: rechnungsStatus('status').notNull().default('entwurf'),
  bezahltAm: timestamp('bezahlt_am'),
  erstelltAm: timestamp('erstellt_am').defaultNow().notNull(),
})

export const positionen = pgTable('rechnungs_positionen', {
  id: serial('id').primaryKey(),
  rechnungId: integer('rechnung_id')
    .notNull()
    .references(() => rechnungen.id, { onDelete: 'cascade' }),
  beschreibung: text('beschreibung').notNull(),
  menge: numeric('menge', { precision: 10, scale: 2 }).notNull(),
  einzelpreis: numeric('einzelpreis', { precision: 12, scale: 2 }).notNull(),
  mwstSatz: integer('mwst_satz').notNull().default(19),
})

export type Rechnung = typeof rechnungen.$inferSelect
export type Position = typeof positionen.$inferSelect
