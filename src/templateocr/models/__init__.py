"""Domain models: template definitions, stored records and page results."""
