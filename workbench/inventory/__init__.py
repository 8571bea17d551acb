"""The sign inventory: sites, signs, photos, bulk import, progress."""
