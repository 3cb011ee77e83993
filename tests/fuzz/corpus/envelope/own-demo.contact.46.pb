
gen-contact-presence-0001own-demo€ºÕÂœ4 €ØÁ¢Œ4*genericr
buyer-77