
gen-contact-presence-0001tm-demo€ºÕÂœ4 €ØÁ¢Œ4*genericr
buyer-77