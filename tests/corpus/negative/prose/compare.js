if (secret !== 'ocuvhQkxFPqHIpIYEdOzFXvW62fl0j23') {}
if (stripeSecret !== 'gsMbK9xtcS4wzAJfhved00x1z5010YHo') {}
if (token === 's8eD409SQlfjbviIx3QLVF6RVbuCcWpZ') {}
// zoom below, but the identifier is no credential name
if (userId === 'NIgRh0Pwfc7upVedy3URO8WhzRnw5iqK') {} // zoom
if (googleClientSecret === 'LcRZayarmn7QTHncgS0k5T5o9NZskvEu') {} // zoom
console.log('Secret Token: ' + token); // zoom
