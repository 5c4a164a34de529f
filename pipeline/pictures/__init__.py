"""Picture helpers shared by the illustrators: vector icon assets, weather, the diffusion backend."""
