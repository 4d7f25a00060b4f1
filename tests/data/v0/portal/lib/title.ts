// Keeps the tab title in sync with the portal name.
document.title = "Northwind client portal"
